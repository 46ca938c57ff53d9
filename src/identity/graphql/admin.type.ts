import { Field, InputType, Int, ObjectType } from 'type-graphql';
import { Role, UserStatus } from '../domain/enums.js';
import { UserType } from './user.type.js';

@InputType('UserFilter', { description: 'Narrows the user list; all given conditions apply.' })
export class UserFilterInput {
  @Field(() => UserStatus, { nullable: true, description: 'Only users with this status.' })
  status?: UserStatus | null;

  @Field(() => Role, { nullable: true, description: 'Only users with this role.' })
  role?: Role | null;

  @Field(() => String, {
    nullable: true,
    description: 'A prefix of the email or the username, ignoring case.',
  })
  search?: string | null;
}

@ObjectType('UserPage', { description: 'One page of users.' })
export class UserPage {
  @Field(() => [UserType], { description: 'The users on this page.' })
  items!: UserType[];

  @Field(() => Int, { description: 'This page number, from 1.' })
  page!: number;

  @Field(() => Int, { description: 'Users per page (1–100).' })
  pageSize!: number;

  @Field(() => Int, { description: 'Users matching the filter, on all pages.' })
  totalItems!: number;

  @Field(() => Int, { description: 'Number of pages.' })
  totalPages!: number;
}
